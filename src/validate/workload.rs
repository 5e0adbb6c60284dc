//! `workload.yaml` into the head of a [`Workload`] (its evidence is read separately).

use super::fields::{self, Fields, Sink};
use super::keys;
use crate::core::diagnostics::{Code, Diagnostic, did_you_mean, did_you_mean_among};
use crate::core::model::{Asset, Criticality, PromotionModel, ReleaseId, Site, Workload, WorkloadId};
use crate::load::yaml::{Node, Pos};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// Where each `depends_on` entry was written, for cycle diagnostics.
pub type DependencyPositions = Vec<(WorkloadId, Pos)>;

/// Reads workload.yaml. `known` are all workload folder names in the portfolio.
pub fn read(
    node: &Node,
    id: &str,
    dir: &str,
    file: &str,
    site: Option<&Site>,
    known: &BTreeSet<String>,
    diags: &mut Vec<Diagnostic>,
) -> Option<(Workload, DependencyPositions)> {
    let mut sink = Sink::new(file, 0, diags);
    let f = Fields::of(&mut sink, node, "workload.yaml")?;
    let f = Fields { pos: Pos { line: 1, column: 1 }, ..f };
    f.check_keys(&mut sink, keys::WORKLOAD, "workload.yaml");
    let name = f.get("name").and_then(|n| fields::text(&mut sink, n, "name"));
    let owner = f.get("owner").and_then(|n| fields::text(&mut sink, n, "owner"));
    if let (Some(o), Some(node)) = (&owner, f.get("owner"))
        && is_placeholder_owner(o)
    {
        let help = "write the team or person accountable for the migration, e.g. `owner: payments-team@example.org`";
        sink.report(Code::W0009, node.pos, format!("`owner` is still the placeholder `{o}`"), Some(help.into()));
    }
    let names: Vec<&str> = Criticality::ALL.iter().map(|c| c.as_str()).collect();
    let criticality = f
        .get("criticality")
        .and_then(|n| fields::one_of(&mut sink, n, "criticality", &names))
        .and_then(|s| Criticality::parse(&s));
    let release = f.get("release").and_then(|n| release(&mut sink, n, site));
    let deps = f.get("depends_on").map(|n| depends_on(&mut sink, n, id, known)).unwrap_or_default();
    let summary = f.get("summary").and_then(|n| {
        let text = fields::text(&mut sink, n, "summary")?;
        super::prose::summary(&mut sink, &text, n.pos);
        Some(text)
    });
    let assets = f.get("assets").map(|n| assets(&mut sink, n)).unwrap_or_default();
    let models: Vec<&str> = PromotionModel::ALL.iter().map(|m| m.as_str()).collect();
    let promotion_model = f
        .get("promotion_model")
        .and_then(|n| fields::one_of(&mut sink, n, "promotion_model", &models))
        .and_then(|s| PromotionModel::parse(&s))
        .unwrap_or_default();
    let workload = Workload {
        id: WorkloadId(id.to_string()),
        dir: dir.to_string(),
        name: name?,
        owner: owner?,
        criticality: criticality?,
        release,
        depends_on: deps.iter().map(|(d, _)| d.clone()).collect(),
        summary,
        assets,
        promotion_model,
        evidence: BTreeMap::new(),
        attachments: Vec::new(),
        documents: BTreeMap::new(),
    };
    Some((workload, deps))
}

/// The owner `cutover new` writes when none is given (and the one it wrote
/// before it was `TODO`).
fn is_placeholder_owner(owner: &str) -> bool {
    owner.trim().eq_ignore_ascii_case(super::prose::PLACEHOLDER_OWNER) || owner.trim() == "owner@example.org"
}

/// A release id; checked against site.yaml unless site.yaml itself is broken (`None`).
fn release(sink: &mut Sink, node: &Node, site: Option<&Site>) -> Option<ReleaseId> {
    let r = fields::id(sink, node, "release")?;
    let Some(site) = site.filter(|s| !s.releases.iter().any(|x| x.id.0 == r)) else {
        return Some(ReleaseId(r));
    };
    let known: Vec<&str> = site.releases.iter().map(|x| x.id.as_str()).collect();
    let defined = match known.as_slice() {
        [] => "site.yaml defines no release yet; add it under `releases:` in content/site.yaml".to_string(),
        _ => format!("site.yaml defines: {}; or add `{r}` under `releases:` in content/site.yaml", known.join(", ")),
    };
    let help = match did_you_mean(&r, known.iter().copied()) {
        Some(guess) => format!("{guess} {defined}"),
        None => defined,
    };
    sink.report(Code::E0302, node.pos, format!("release `{r}` is not defined in site.yaml"), Some(help));
    None
}

fn depends_on(sink: &mut Sink, node: &Node, me: &str, known: &BTreeSet<String>) -> DependencyPositions {
    let Some(list) = fields::list(sink, node, "depends_on") else {
        return Vec::new();
    };
    let mut out: DependencyPositions = Vec::new();
    // A set, not a scan of `out`: a list may be 80,000 entries long.
    let mut listed: HashSet<String> = HashSet::new();
    for n in list {
        let Some(dep) = fields::id(sink, n, "depends_on") else {
            continue;
        };
        if dep == me {
            sink.report(
                Code::E0304,
                n.pos,
                format!("workload `{me}` depends on itself"),
                Some("remove it from `depends_on`".into()),
            );
        } else if !known.contains(&dep) {
            let help = did_you_mean_among(&dep, known)
                .unwrap_or_else(|| "depends_on names folders under content/workloads/".into());
            sink.report(Code::E0303, n.pos, format!("`{dep}` is not a workload in this portfolio"), Some(help));
        } else if listed.insert(dep.clone()) {
            out.push((WorkloadId(dep), n.pos));
        }
    }
    out
}

fn assets(sink: &mut Sink, node: &Node) -> Vec<Asset> {
    let Some(list) = fields::list(sink, node, "assets") else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|n| {
            let f = Fields::of(sink, n, "an asset")?;
            f.check_keys(sink, keys::ASSET, "an asset");
            let name = f.get("name").and_then(|n| fields::text(sink, n, "name"));
            let kind = f.get("kind").and_then(|n| fields::text(sink, n, "kind"));
            let at = f.get("decommissioned_on").map_or((0, 0), |n| (n.pos.line, n.pos.column));
            let decommissioned_on = f.get("decommissioned_on").and_then(|n| fields::date(sink, n, "decommissioned_on"));
            Some(Asset { name: name?, kind, decommissioned_on, decommissioned_at: at })
        })
        .collect()
}
