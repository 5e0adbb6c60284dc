//! The views a CISO reviewer and the retirement team read: the security page
//! and the decommissioning page. Contexts only; the templates lay them out.

use super::context::workload_href;
use crate::core::checklist::ItemRole;
use crate::core::date::Date;
use crate::core::model::{FieldValue, ItemId, Portfolio, Status, Workload};
use crate::evaluate::Assessment;
use crate::evaluate::decommission::{AssetStage, AssetState};
use serde::Serialize;

#[derive(Serialize)]
pub struct PostureRow {
    pub id: String,
    pub name: String,
    pub href: String,
    pub decision: &'static str,
    pub classification: Option<String>,
    /// The classification is only proposed: its item is not satisfied.
    pub classification_proposed: bool,
    pub classification_state: Option<String>,
    pub ciso_status: &'static str,
    pub ciso_satisfied: bool,
    pub ciso_note: Option<String>,
    pub ciso_by: Option<String>,
    pub identity_status: &'static str,
    pub identity_satisfied: bool,
    pub identity_note: Option<String>,
}

/// One risk of the register; a risk recorded (by id) in several workloads is one row.
#[derive(Serialize)]
pub struct RiskRow {
    /// The first workload that records it (the register is sorted by it).
    pub workload: String,
    pub workload_name: String,
    pub href: String,
    /// Every workload that records it: (name, link to its verification).
    pub workloads: Vec<(String, String)>,
    pub id: String,
    pub description: String,
    pub mitigation: String,
    pub accepted: bool,
    pub accepted_by: Option<String>,
    pub accepted_on: Option<String>,
    pub review_by: Option<String>,
    /// The review date has passed: the risk no longer counts as accepted.
    pub review_overdue: bool,
}

#[derive(Serialize)]
pub struct WaiverRow {
    pub workload_name: String,
    pub href: String,
    pub item: String,
    pub approved_by: String,
    pub approved_on: String,
    pub expires_on: String,
    /// Negative once expired.
    pub days_left: i64,
    pub expired: bool,
    pub reason: String,
}

#[derive(Serialize)]
pub struct AttentionRow {
    pub workload_name: String,
    pub href: String,
    pub item: String,
    pub problem: String,
}

#[derive(Serialize)]
pub struct SecurityView {
    pub posture: Vec<PostureRow>,
    pub risks: Vec<RiskRow>,
    pub waivers: Vec<WaiverRow>,
    pub attention: Vec<AttentionRow>,
    pub provenance: super::provenance::ProvenanceView,
    /// The checklist items that play the security roles, for headings and anchors.
    pub ciso_item: Option<String>,
    pub identity_item: Option<String>,
}

fn state<'a>(a: &'a Assessment, w: &Workload, item: Option<&ItemId>) -> Option<&'a crate::evaluate::ItemState> {
    let item = item?;
    a.workloads.get(&w.id)?.items.iter().find(|s| &s.id == item)
}

fn item_title(p: &Portfolio, id: &str) -> String {
    p.checklist.item(id).map_or_else(|| id.to_string(), |i| i.title.clone())
}

/// Everything the security page shows, from the root of the site (`root` prefixes links).
pub fn security_view(root: &str, p: &Portfolio, a: &Assessment) -> SecurityView {
    let ciso_id = p.checklist.role_id(ItemRole::SecuritySignoff);
    let identity_id = p.checklist.role_id(ItemRole::Identity);
    let class_id = p.checklist.role_id(ItemRole::Classification);
    let mut view = SecurityView {
        posture: Vec::new(),
        risks: Vec::new(),
        waivers: Vec::new(),
        attention: Vec::new(),
        provenance: super::provenance::view(root, p, a),
        ciso_item: ciso_id.map(|i| i.0.clone()),
        identity_item: identity_id.map(|i| i.0.clone()),
    };
    for w in p.workloads.values() {
        let href = workload_href(root, w.id.as_str());
        let ciso = state(a, w, ciso_id);
        let identity = state(a, w, identity_id);
        let ciso_ev = ciso_id.and_then(|id| w.evidence.get(id));
        let proposed = super::wording::classification(p, a, w);
        view.posture.push(PostureRow {
            id: w.id.0.clone(),
            name: w.name.clone(),
            href: href.clone(),
            decision: a.workloads.get(&w.id).map_or("blocked", |x| x.decision.as_str()),
            // The public edition may have removed the classification itself: say so, not "not classified".
            classification: crate::render::edition::classification(&p.checklist, w).map(str::to_string).or_else(|| {
                class_id.and_then(|id| w.evidence.get(id)).filter(|e| !e.withheld.is_empty()).map(|_| "withheld".into())
            }),
            classification_proposed: proposed.as_ref().is_some_and(|c| c.proposed),
            classification_state: proposed.and_then(|c| c.state),
            ciso_status: ciso.map_or("not-started", |s| s.status.as_str()),
            ciso_satisfied: ciso.is_some_and(|s| s.satisfied),
            ciso_note: ciso.and_then(|s| s.note.clone()),
            ciso_by: ciso_ev.filter(|e| e.status == Status::Validated).and_then(|e| e.validated_by.clone()),
            identity_status: identity.map_or("not-started", |s| s.status.as_str()),
            identity_satisfied: identity.is_some_and(|s| s.satisfied),
            identity_note: identity.and_then(|s| s.note.clone()),
        });
        if let Some(ev) = ciso_ev {
            add_risks(&mut view.risks, w, &format!("{href}#item-{}", ev.item), ev, a.as_of);
        }
        for ev in w.evidence.values() {
            if let (Status::Waived, Some(wv)) = (ev.status, &ev.waiver) {
                let days_left = a.as_of.days_until(wv.expires_on);
                view.waivers.push(WaiverRow {
                    workload_name: w.name.clone(),
                    href: format!("{href}#item-{}", ev.item),
                    item: item_title(p, ev.item.as_str()),
                    approved_by: wv.approved_by.clone(),
                    approved_on: wv.approved_on.to_string(),
                    expires_on: wv.expires_on.to_string(),
                    days_left,
                    expired: days_left < 0,
                    reason: wv.reason.clone(),
                });
            }
            // Every recorded sign-off that does not count: stale, wrong signer,
            // expired or over-long waiver, changed after sign-off, provenance.
            let lapsed = state(a, w, Some(&ev.item)).filter(|s| s.lapsed);
            if let Some(s) = lapsed {
                let note = s.note.clone().unwrap_or_else(|| "does not count".into());
                view.attention.push(AttentionRow {
                    workload_name: w.name.clone(),
                    href: format!("{href}#item-{}", ev.item),
                    item: item_title(p, ev.item.as_str()),
                    problem: if s.stale { format!("stale: {note}") } else { note },
                });
            }
        }
    }
    view.waivers
        .sort_by(|x, y| (x.days_left, &x.workload_name, &x.item).cmp(&(y.days_left, &y.workload_name, &y.item)));
    view
}

/// Adds the risks of one CISO verification to the register: a risk whose id
/// is already there (recorded for another workload) gains this workload.
fn add_risks(rows: &mut Vec<RiskRow>, w: &Workload, href: &str, ev: &crate::core::model::Evidence, as_of: Date) {
    for r in crate::evaluate::risks::risks_of(ev) {
        let here = (w.name.clone(), href.to_string());
        if let Some(row) = rows.iter_mut().find(|x| !r.id.is_empty() && x.id == r.id) {
            row.workloads.push(here);
            continue;
        }
        rows.push(RiskRow {
            workload: w.id.0.clone(),
            workload_name: w.name.clone(),
            href: href.to_string(),
            workloads: vec![here],
            review_overdue: r.review_by.is_some_and(|d| d < as_of),
            accepted_by: r.accepted_by,
            accepted_on: r.accepted_on.map(|d| d.to_string()),
            review_by: r.review_by.map(|d| d.to_string()),
            id: r.id,
            description: r.description,
            mitigation: r.mitigation,
            accepted: r.accepted,
        });
    }
}

/// The asset's own fields are spelled out rather than flattened: serde's
/// flatten goes through a map of unknown size, which made each of the
/// 25,000 rows of a 10,000-workload decommissioning page cost kilobytes of
/// template values.
#[derive(Serialize)]
pub struct AssetRow {
    pub workload_name: String,
    pub href: String,
    pub name: String,
    pub kind: Option<String>,
    pub stage: AssetStage,
    pub hold_ends: Option<Date>,
    pub days: i64,
    pub decommissioned_on: Option<Date>,
    pub stage_label: &'static str,
    pub stage_class: &'static str,
}

fn stage_class(s: AssetStage) -> &'static str {
    match s {
        AssetStage::InService => "in-service",
        AssetStage::InHold => "in-hold",
        AssetStage::Due => "due",
        AssetStage::Overdue => "overdue",
        AssetStage::Retired => "retired",
    }
}

pub fn asset_row(root: &str, w: &Workload, asset: &AssetState) -> AssetRow {
    AssetRow {
        workload_name: w.name.clone(),
        href: workload_href(root, w.id.as_str()),
        name: asset.name.clone(),
        kind: asset.kind.clone(),
        stage: asset.stage,
        hold_ends: asset.hold_ends,
        days: asset.days,
        decommissioned_on: asset.decommissioned_on,
        stage_label: asset.stage.as_str(),
        stage_class: stage_class(asset.stage),
    }
}

/// Every asset of the portfolio, the ones needing action first.
pub fn all_assets(root: &str, p: &Portfolio, a: &Assessment) -> Vec<AssetRow> {
    let rank = |s: AssetStage| match s {
        AssetStage::Overdue => 0,
        AssetStage::Due => 1,
        AssetStage::InHold => 2,
        AssetStage::InService => 3,
        AssetStage::Retired => 4,
    };
    let mut rows: Vec<AssetRow> = p
        .workloads
        .values()
        .flat_map(|w| {
            a.workloads.get(&w.id).into_iter().flat_map(move |wa| wa.assets.iter().map(move |s| asset_row(root, w, s)))
        })
        .collect();
    rows.sort_by(|x, y| {
        (rank(x.stage), std::cmp::Reverse(x.days), &x.workload_name, &x.name).cmp(&(
            rank(y.stage),
            std::cmp::Reverse(y.days),
            &y.workload_name,
            &y.name,
        ))
    });
    rows
}

/// One batch of a flight plan: the records moved and the share of traffic each takes.
#[derive(Serialize)]
pub struct FlightBatch {
    pub batch: String,
    pub records: Vec<(String, String)>,
}

/// The cutover records grouped by batch, in batch order, for `promotion_model: flight`.
pub fn flight_plan(w: &Workload, promotion: Option<&ItemId>) -> Vec<FlightBatch> {
    if w.promotion_model != crate::core::model::PromotionModel::Flight {
        return Vec::new();
    }
    let Some(FieldValue::List(entries)) = promotion
        .and_then(|id| w.evidence.get(id))
        .and_then(|e| e.fields.iter().find(|(n, _)| n == "cutover"))
        .map(|(_, v)| v)
    else {
        return Vec::new();
    };
    let mut rows: Vec<(f64, String, String)> = entries
        .iter()
        .filter_map(|e| match e {
            FieldValue::Record(r) => {
                let get = |k: &str| r.iter().find(|(n, _)| n == k).map(|(_, v)| v);
                let batch = match get("batch") {
                    Some(FieldValue::Number(n)) => *n,
                    _ => f64::MAX,
                };
                let record = get("record").map(FieldValue::display).unwrap_or_default();
                let pct = get("traffic_percent").map(FieldValue::display).unwrap_or_default();
                Some((batch, record, pct))
            }
            _ => None,
        })
        .collect();
    rows.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    let mut out: Vec<FlightBatch> = Vec::new();
    for (batch, record, pct) in rows {
        let label = if batch == f64::MAX { "unbatched".to_string() } else { FieldValue::Number(batch).display() };
        match out.last_mut() {
            Some(b) if b.batch == label => b.records.push((record, pct)),
            _ => out.push(FlightBatch { batch: label, records: vec![(record, pct)] }),
        }
    }
    out
}
