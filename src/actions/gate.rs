//! The promotion gate: what a deployment pipeline asks right before it changes
//! DNS. It passes only when every named workload is ready or promoted.

use crate::core::diagnostics::{Code, Diagnostic};
use crate::evaluate::{Decision, Reason};
use crate::{Checked, Fatal};
use serde::Serialize;

/// One named workload at the gate.
#[derive(Debug, Clone, Serialize)]
pub struct GateEntry {
    /// The workload's id.
    pub id: String,
    /// Its decision on the as-of date.
    pub decision: Decision,
    /// Why it is blocked; empty when it may be promoted.
    pub reasons: Vec<Reason>,
}

/// The gate's answer for a list of workload ids.
#[derive(Debug, Clone, Serialize)]
pub struct GateResult {
    /// The date the gate decided as of, `YYYY-MM-DD`.
    pub as_of: String,
    /// Every named workload is promoted or ready, and no id is unknown.
    pub pass: bool,
    /// Each named workload, in the order named.
    pub workloads: Vec<GateEntry>,
    /// Ids that name no workload folder (the pipeline is misconfigured).
    pub unknown: Vec<String>,
}

/// Decides the gate. A workload whose folder exists but whose workload.yaml
/// could not be read is blocked, not unknown. When the workload folders could
/// not be listed at all, no name can be called unknown: that is an error with
/// its real cause (exit code 2), not a misconfigured pipeline.
pub fn gate(checked: &Checked, ids: &[String]) -> Result<GateResult, Fatal> {
    let mut workloads = Vec::new();
    let mut unknown = Vec::new();
    for id in ids {
        if let Some(a) = checked.assessment.workloads.get(id.as_str()) {
            workloads.push(GateEntry { id: id.clone(), decision: a.decision, reasons: a.reasons.clone() });
        } else if checked.sources.workloads.iter().any(|w| w.id == *id) {
            let reason = Reason {
                item: None,
                workload: None,
                message: "workload.yaml could not be read; run `cutover check` for the errors".into(),
            };
            workloads.push(GateEntry { id: id.clone(), decision: Decision::Blocked, reasons: vec![reason] });
        } else if let Some(d) = unlisted(checked) {
            return Err(Fatal::Refused(format!(
                "cannot tell whether `{id}` is a workload: {}: {}; make the folder readable and run the gate again",
                d.file, d.message
            )));
        } else {
            unknown.push(id.clone());
        }
    }
    let pass = unknown.is_empty() && workloads.iter().all(|w| w.decision != Decision::Blocked);
    Ok(GateResult { as_of: checked.assessment.as_of.to_string(), pass, workloads, unknown })
}

/// The workloads of release `id`, for `gate --release`. A release that
/// site.yaml does not define, or that no workload is in, is a misconfigured
/// pipeline (exit code 2), never a pass.
pub fn release_ids(checked: &Checked, id: &str) -> Result<Vec<String>, Fatal> {
    let site = &checked.portfolio.site;
    if !site.releases.iter().any(|r| r.id.as_str() == id) {
        let known: Vec<&str> = site.releases.iter().map(|r| r.id.as_str()).collect();
        let hint = crate::core::diagnostics::did_you_mean(id, known.iter().copied()).unwrap_or_else(|| {
            if known.is_empty() {
                "site.yaml defines no release".to_string()
            } else {
                format!("the releases are: {}", known.join(", "))
            }
        });
        return Err(Fatal::Refused(format!("`{id}` is not a release in content/site.yaml; {hint}")));
    }
    let ids: Vec<String> = checked
        .portfolio
        .workloads
        .values()
        .filter(|w| w.release.as_ref().is_some_and(|r| r.as_str() == id))
        .map(|w| w.id.0.clone())
        .collect();
    if ids.is_empty() {
        if let Some(d) = unlisted(checked) {
            return Err(Fatal::Refused(format!(
                "cannot list the workloads of release `{id}`: {}: {}",
                d.file, d.message
            )));
        }
        return Err(Fatal::Refused(format!(
            "release `{id}` has no workload, so there is nothing to let through; set `release: {id}` in their workload.yaml"
        )));
    }
    Ok(ids)
}

/// Every workload folder, for `gate --all` (one whose workload.yaml cannot be read is blocked).
pub fn all_ids(checked: &Checked) -> Result<Vec<String>, Fatal> {
    if let Some(d) = unlisted(checked) {
        return Err(Fatal::Refused(format!("cannot list the workloads: {}: {}", d.file, d.message)));
    }
    let mut ids: Vec<String> = checked.sources.workloads.iter().map(|w| w.id.clone()).collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Err(Fatal::Refused("the portfolio has no workload, so there is nothing to let through".into()));
    }
    Ok(ids)
}

/// Why the workload folders could not be listed: `content/` or
/// `content/workloads/` itself could not be read (E0001 names the folder).
fn unlisted(checked: &Checked) -> Option<&Diagnostic> {
    checked
        .report
        .diagnostics
        .iter()
        .find(|d| d.code == Code::E0001 && (d.file == "content" || d.file == "content/workloads"))
}

impl GateResult {
    /// 0 pass, 1 a workload is blocked, 2 an id is unknown.
    pub fn exit_code(&self) -> u8 {
        if !self.unknown.is_empty() {
            2
        } else if self.pass {
            0
        } else {
            1
        }
    }

    /// For a terminal: each workload with its reasons, then the verdict.
    pub fn to_human(&self) -> String {
        let mut out = String::new();
        for id in &self.unknown {
            out.push_str(&format!("error: `{id}` is not a workload in this portfolio\n"));
        }
        for w in &self.workloads {
            out.push_str(&format!("{}: {}\n", w.id, w.decision.as_str()));
            for r in &w.reasons {
                let subject = match (&r.item, &r.workload) {
                    (Some(i), _) => format!("item {i}"),
                    (None, Some(d)) => format!("dependency {d}"),
                    _ => "workload".to_string(),
                };
                out.push_str(&format!("  - {subject}: {}\n", r.message));
            }
        }
        let verdict = if self.pass { "PASS: every named workload may be promoted" } else { "FAIL: do not promote" };
        out.push_str(&format!("gate as of {}: {verdict}\n", self.as_of));
        out
    }

    /// The `--format json` document.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("plain data serialises");
        s.push('\n');
        s
    }
}
