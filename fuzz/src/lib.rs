//! Checks shared by the fuzz targets: what must hold for any input at all.

use cutover::core::checklist::ItemRole;
use cutover::core::diagnostics::{Diagnostic, Report};
use cutover::core::model::{FieldValue, Portfolio, Status};
use cutover::evaluate::{Assessment, Decision};
use cutover::load::Sources;
use std::collections::BTreeSet;

pub mod generate;
pub mod html;
pub mod targets;

/// The files a diagnostic may name: every input text file, every workload
/// folder, and `content/site.yaml` (where sign-off roles belong, even before
/// the file exists).
pub fn known_files(sources: &Sources) -> BTreeSet<String> {
    let mut files: BTreeSet<String> = ["content/site.yaml".to_string()].into_iter().collect();
    let texts = sources.site.iter().chain(sources.checklist.iter()).chain(sources.pages.iter());
    files.extend(texts.map(|f| f.path.clone()));
    for w in &sources.workloads {
        files.insert(w.dir.clone());
        files.extend(w.workload_yaml.iter().chain(w.evidence.iter()).map(|f| f.path.clone()));
    }
    files
}

/// Every diagnostic points at a real position (1-based) in one of the inputs,
/// and every output format renders it without panicking.
pub fn check_diagnostics(sources: &Sources, diags: &[Diagnostic]) {
    let files = known_files(sources);
    for d in diags {
        assert!(d.line >= 1 && d.column >= 1, "position not 1-based: {d:?}");
        assert!(files.contains(&d.file), "diagnostic names a file that is not an input: {d:?}");
        assert!(!d.message.trim().is_empty(), "diagnostic without a message: {d:?}");
        if let Some(text) = sources.text_of(&d.file) {
            // The line exists (a position one past the last line is allowed for
            // "missing at end of file"). YAML also breaks lines at a lone CR.
            let lines = text.replace("\r\n", "\n").split(['\n', '\r']).count().max(1);
            assert!(d.line as usize <= lines + 1, "line {} past the end ({lines} lines): {d:?}", d.line);
        }
    }
    let report = Report::from_vec(diags.to_vec(), false);
    let _ = report.to_human(&|p| sources.text_of(p).map(str::to_string), true);
    let _ = report.to_json();
    let _ = report.to_github();
}

/// The decision rules of FORMAT.md, stated as invariants of an assessment.
pub fn check_decisions(portfolio: &Portfolio, assessment: &Assessment) {
    let ids: Vec<_> = portfolio.workloads.keys().collect();
    let assessed: Vec<_> = assessment.workloads.keys().collect();
    assert_eq!(ids, assessed, "every workload is assessed exactly once");
    for (id, a) in &assessment.workloads {
        let w = &portfolio.workloads[id];
        assert_eq!(a.items.len(), portfolio.checklist.items.len(), "{id}: one state per checklist item");
        // FORMAT.md 1.1: promoted once the promotion item is executed with no
        // error and its `promoted_on` (else `executed_on`) has come.
        let promotion = portfolio.checklist.with_role(ItemRole::Promotion).map(|item| &item.id);
        let promoted = promotion.and_then(|item| w.evidence.get(item)).is_some_and(|e| {
            let on = e.fields.iter().find_map(|(n, v)| match v {
                FieldValue::Date(d) if n == "promoted_on" => Some(*d),
                _ => None,
            });
            e.status.at_least(Status::Executed)
                && !e.has_errors
                && on.or(e.executed_on).is_some_and(|d| d <= assessment.as_of)
        });
        assert_eq!(
            a.decision == Decision::Promoted,
            promoted,
            "{id}: promoted exactly when the promotion is executed, free of errors and dated on or before the as-of date"
        );
        match a.decision {
            Decision::Promoted => {}
            Decision::Blocked => assert!(!a.reasons.is_empty(), "{id}: blocked without a reason"),
            Decision::Ready => {
                assert!(a.reasons.is_empty(), "{id}: ready with reasons {:?}", a.reasons);
                for (state, item) in a.items.iter().zip(&portfolio.checklist.items) {
                    assert_eq!(state.id, item.id);
                    if item.role != Some(ItemRole::Promotion) && state.required {
                        assert!(state.satisfied, "{id}: ready while required `{}` is unsatisfied", item.id);
                    }
                }
                for ev in w.evidence.values() {
                    assert!(!ev.has_errors, "{id}: ready while `{}` has errors", ev.file);
                }
                for dep in &w.depends_on {
                    let d = &assessment.workloads[dep];
                    let same_release = w.release.is_some() && w.release == portfolio.workloads[dep].release;
                    assert!(
                        d.decision == Decision::Promoted || (d.decision == Decision::Ready && same_release),
                        "{id}: ready while dependency {dep} is {:?}",
                        d.decision
                    );
                }
            }
        }
    }
}
